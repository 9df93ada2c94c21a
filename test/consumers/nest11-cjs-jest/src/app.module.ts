import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WxIdentitiesModule, WxOAuthModule } from 'nest-wx-oauth';
import { wxOAuthFromConfig } from 'nest-wx-oauth/config';
import {
  WX_IDENTITY_ENTITIES,
  WX_IDENTITY_MIGRATIONS,
  WxTypeOrmIdentityStore,
} from 'nest-wx-oauth/typeorm';
import { DataSource } from 'typeorm';
import { AuthModule } from './auth/auth.module';
import { User } from './users/user.entity';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    // sql.js in memory, a new database at each start: the module's tables from its migration,
    // the users table synchronized from its entity.
    TypeOrmModule.forRoot({
      type: 'sqljs',
      entities: [User, ...WX_IDENTITY_ENTITIES],
      migrations: [...WX_IDENTITY_MIGRATIONS],
      migrationsRun: true,
      synchronize: true,
    }),
    // The links of WeChat identities to the users, in the same database and its transactions.
    WxIdentitiesModule.forRootAsync({
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => ({
        store: new WxTypeOrmIdentityStore(dataSource),
      }),
    }),
    // Registered once, here: it serves AuthModule's guard, services and validator.
    // WX_APPID, WX_SECRET, WX_CALLBACK_URL, WX_SCOPE, WX_API_BASE_URL, WX_OPEN_BASE_URL, and
    // WX_FRONTEND_ORIGINS, WX_SUCCESS_REDIRECT, WX_FAILURE_REDIRECT:
    // `npx nest-wx-oauth-sandbox` prints the first ones for a local WeChat.
    WxOAuthModule.forRootAsync(wxOAuthFromConfig()),
    AuthModule,
  ],
})
export class AppModule {}
