import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WxIdentitiesModule } from 'nest-wx-oauth';
import { WxTypeOrmIdentityStore } from 'nest-wx-oauth/typeorm';
import { DataSource } from 'typeorm';
import { demoDatabaseOptions, openDemoDatabase } from './demo-database.js';
import { DemoMerchantEntity } from './demo-merchant.entity.js';
import { DemoUserEntity } from './demo-user.entity.js';

/**
 * The demo's database (PostgreSQL at `DATABASE_URL`, or the embedded engine's
 * file) with its users' repository, and the people behind the logins in it:
 * `WxIdentities` (global) on the library's TypeORM store, in the same database.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: demoDatabaseOptions,
      dataSourceFactory: openDemoDatabase,
    }),
    TypeOrmModule.forFeature([DemoUserEntity, DemoMerchantEntity]),
    WxIdentitiesModule.forRootAsync({
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => ({
        store: new WxTypeOrmIdentityStore(dataSource),
      }),
    }),
  ],
  exports: [TypeOrmModule],
})
export class DemoDatabaseModule {}
